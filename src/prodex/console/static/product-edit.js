// Editing a product: name, description, target audience and media (PUT /v2/product replaces media whole).

import { el, uniqueId } from "./dom.js";

function labelled(labelText, control, help) {
  const id = control.id || uniqueId("f");
  control.id = id;
  return el("div", { className: "form-field" }, el("label", { htmlFor: id }, labelText), control, help ? el("p", { className: "help" }, help) : null);
}

function mediaRow(media, index, rows) {
  const type = el(
    "select",
    {},
    el("option", { value: "1", selected: media.type !== 2 }, "Image"),
    el("option", { value: "2", selected: media.type === 2 }, "Video"),
  );
  const url = el("input", { type: "url", value: media.url || "", required: true, spellcheck: false });
  const name = el("input", { type: "text", value: media.name || "", maxLength: 500 });
  const description = el("input", { type: "text", value: media.description || "", maxLength: 2000 });
  const row = el("fieldset", { className: "media-row" });
  const legend = el("legend", {}, `Media ${index + 1}`);
  const remove = el("button", { type: "button", className: "secondary" }, `Remove media ${index + 1}`);
  remove.addEventListener("click", () => {
    rows.splice(rows.indexOf(entry), 1);
    row.remove();
    renumber(rows);
  });
  row.append(legend, labelled("Media type", type), labelled("Media URL", url), labelled("File name", name), labelled("Media description", description), remove);
  const entry = { row, legend, remove, read: () => ({ type: Number(type.value), url: url.value.trim(), name: name.value, description: description.value }), focus: () => url.focus() };
  return entry;
}

function renumber(rows) {
  rows.forEach((entry, i) => {
    entry.legend.textContent = `Media ${i + 1}`;
    entry.remove.textContent = `Remove media ${i + 1}`;
  });
}

/** The PUT body: the product id and only the fields that changed (so untouched fields keep their source). */
function changedFields(product, edited) {
  const body = { product_id: product.product_id };
  if (edited.name !== (product.name || "")) body.name = edited.name;
  if (edited.description !== (product.description || "")) body.description = edited.description;
  if (edited.target_audience !== (product.target_audience || "")) body.target_audience = edited.target_audience;
  const before = (product.media || []).map((m) => ({ type: m.type, url: m.url, name: m.name || "", description: m.description || "" }));
  if (JSON.stringify(before) !== JSON.stringify(edited.media)) body.media = edited.media;
  return body;
}

/**
 * Show the edit form for `product` in `container`.
 * `onSave(fields)` returns a promise (the form stays on failure); `onCancel()` goes back to the view.
 */
export function renderEditor(container, product, { onSave, onCancel }) {
  const name = el("input", { type: "text", value: product.name || "", maxLength: 500, required: true });
  const description = el("textarea", { value: product.description || "", rows: 8, maxLength: 20000 });
  const audience = el("input", { type: "text", value: product.target_audience || "", maxLength: 1000 });
  const rows = [];
  const mediaList = el("div", { className: "media-rows" });
  for (const media of product.media || []) {
    const entry = mediaRow(media, rows.length, rows);
    rows.push(entry);
    mediaList.append(entry.row);
  }
  const add = el("button", { type: "button", className: "secondary" }, "Add media");
  add.addEventListener("click", () => {
    const entry = mediaRow({ type: 1 }, rows.length, rows);
    rows.push(entry);
    mediaList.append(entry.row);
    entry.focus();
  });
  const save = el("button", { type: "submit" }, "Save");
  const cancel = el("button", { type: "button", className: "secondary", on: { click: () => onCancel() } }, "Cancel");
  const heading = el("h2", { id: "edit-title", tabIndex: -1 }, "Edit product");
  const form = el(
    "form",
    { className: "editor", method: "post", action: "/console", attrs: { "aria-labelledby": "edit-title" } },
    heading,
    labelled("Name", name),
    labelled("Description", description, "Paragraphs are separated by a blank line."),
    labelled("Target audience", audience),
    el("h3", {}, "Media"),
    el("p", { className: "help" }, "The first image is the main image. Saving replaces the whole list."),
    mediaList,
    add,
    el("div", { className: "toolbar" }, save, cancel),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    save.disabled = true;
    try {
      await onSave(changedFields(product, {
        name: name.value,
        description: description.value,
        target_audience: audience.value,
        media: rows.map((entry) => entry.read()),
      }));
    } finally {
      save.disabled = false;
    }
  });
  container.replaceChildren(form);
  container.dataset.productId = product.product_id;
  container.hidden = false;
  return heading;
}
