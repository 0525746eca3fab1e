// The product as a shopper would see it, with each field's source beside it. Text only, never HTML.

import { append, el, externalLink, safeUrl } from "./dom.js";

/** A small tag saying where a field came from (visible, and as a tooltip). */
function sourceTag(product, ...fields) {
  const source = product.source || {};
  const found = fields.map((field) => source[field]).find((value) => value);
  if (!found) return null;
  return el(
    "span",
    { className: "source", title: `${fields[0]}: from ${found}` },
    el("span", { className: "visually-hidden" }, "source: "),
    found,
  );
}

function money(amount, currency) {
  if (amount === null || amount === undefined || amount === "") return null;
  const number = Number(amount);
  if (currency && Number.isFinite(number)) {
    try {
      return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(number);
    } catch {
      // an unknown currency code: fall through
    }
  }
  return currency ? `${amount} ${currency}` : String(amount);
}

function paragraphs(text) {
  return String(text)
    .split(/\n\s*\n/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => el("p", {}, part));
}

/** A captioned field: <div class="field"><h3>label <source></h3>content</div>. */
function field(product, label, sourceFields, ...content) {
  return el(
    "div",
    { className: "field" },
    el("h3", {}, label, " ", sourceTag(product, ...sourceFields)),
    ...content,
  );
}

function figureSize(media) {
  if (media.width && media.height) return `${media.width} × ${media.height} px`;
  return null;
}

/** One picture or video of the gallery, with its size (declared, else measured once loaded). */
function mediaFigure(media, index, main) {
  const url = safeUrl(media.url);
  if (!url) return null;
  const caption = el("figcaption", {});
  const label = media.name || media.description || (media.type === 2 ? `Video ${index + 1}` : `Picture ${index + 1}`);
  const size = el("span", { className: "size" }, figureSize(media) || "");
  let node;
  if (media.type === 2) {
    node = el("video", { src: url, controls: true, preload: "metadata", playsInline: true });
    node.setAttribute("aria-label", label);
    node.addEventListener("loadedmetadata", () => {
      if (!figureSize(media) && node.videoWidth) size.textContent = `${node.videoWidth} × ${node.videoHeight} px`;
    });
  } else {
    node = el("img", {
      src: url,
      alt: media.description || media.name || (main ? "Main picture" : `Picture ${index + 1}`),
      loading: main ? "eager" : "lazy",
      decoding: "async",
      referrerPolicy: "no-referrer",
    });
    node.addEventListener("load", () => {
      if (!figureSize(media) && node.naturalWidth) size.textContent = `${node.naturalWidth} × ${node.naturalHeight} px`;
    });
    node.addEventListener("error", () => {
      size.textContent = "could not be loaded";
    });
  }
  caption.append(el("span", { className: "kind" }, media.type === 2 ? "Video" : main ? "Main picture" : "Picture"), " ", size);
  return el("figure", { className: main ? "media main" : "media" }, node, caption);
}

function gallery(product) {
  const media = product.media || [];
  if (!media.length) return el("p", { className: "empty" }, "No pictures or videos.");
  const mainIndex = Math.max(0, media.findIndex((m) => m.type !== 2));
  const main = mediaFigure(media[mainIndex], mainIndex, true);
  const rest = media.map((m, i) => (i === mainIndex ? null : mediaFigure(m, i, false))).filter(Boolean);
  return el(
    "div",
    { className: "gallery" },
    main,
    rest.length ? el("div", { className: "grid", attrs: { role: "list", "aria-label": "Gallery" } }, rest.map((f) => {
      f.setAttribute("role", "listitem");
      return f;
    })) : null,
  );
}

function priceBlock(product) {
  const price = money(product.price, product.currency);
  if (!price) return null;
  const regular = money(product.regular_price, product.currency);
  return el(
    "p",
    { className: "price" },
    el("span", { className: "now" }, price),
    regular ? [" ", el("del", { className: "was", attrs: { "aria-label": `was ${regular}` } }, regular)] : null,
    product.discount_percent ? [" ", el("span", { className: "badge" }, `−${product.discount_percent} %`)] : null,
    " ",
    sourceTag(product, "price"),
  );
}

function ratingBlock(product) {
  if (!product.rating_value && !product.review_count) return null;
  const best = product.rating_best || "5";
  const value = Number(product.rating_value);
  const stars = Number.isFinite(value) && Number(best) > 0 ? Math.round((value / Number(best)) * 5) : 0;
  return el(
    "p",
    { className: "rating" },
    product.rating_value
      ? [el("span", { className: "stars", attrs: { "aria-hidden": "true" } }, "★".repeat(stars) + "☆".repeat(5 - stars)), " ", `${product.rating_value} / ${best}`]
      : null,
    product.review_count !== null && product.review_count !== undefined ? ` (${product.review_count} reviews)` : null,
    " ",
    sourceTag(product, "rating_value", "review_count"),
  );
}

function facts(product) {
  const rows = [
    ["Brand", product.brand, "brand"],
    ["Availability", product.availability, "availability"],
    ["SKU", product.sku, "sku"],
    ["GTIN", product.gtin, "gtin"],
    ["MPN", product.mpn, "mpn"],
    ["Category (Google)", product.google_category, "google_category"],
    ["Shop category", (product.breadcrumbs || []).length ? product.breadcrumbs.join(" › ") : product.category, "category"],
    ["Gender", product.gender, "gender"],
    ["Age group", product.age_group, "age_group"],
    ["Language", product.language, "language"],
  ].filter(([, value]) => value !== null && value !== undefined && value !== "");
  if (!rows.length) return null;
  return el(
    "dl",
    { className: "facts" },
    rows.map(([label, value, key]) => el("div", {}, el("dt", {}, label, " ", sourceTag(product, key)), el("dd", {}, String(value)))),
  );
}

function variantsTable(product) {
  const variants = product.variants || [];
  if (!variants.length) return null;
  const body = variants.map((v) =>
    el(
      "tr",
      {},
      el("td", {}, v.name || Object.values(v.options || {}).join(" / ") || "–"),
      el("td", {}, Object.entries(v.options || {}).map(([k, val]) => `${k}: ${val}`).join(", ") || "–"),
      el("td", {}, money(v.price, product.currency) || "–"),
      el("td", {}, v.availability || "–"),
      el("td", {}, v.sku || "–"),
    ),
  );
  return field(
    product,
    "Variants",
    ["variants"],
    el(
      "div",
      { className: "table-wrap", tabIndex: 0, attrs: { role: "region", "aria-label": "Variants table" } },
      el(
        "table",
        {},
        el("thead", {}, el("tr", {}, ["Variant", "Options", "Price", "Availability", "SKU"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, body),
      ),
    ),
  );
}

function specificationsList(product) {
  const specs = product.specifications || [];
  if (!specs.length) return null;
  return field(product, "Specifications", ["specifications"], el("dl", { className: "specs" }, specs.map((s) => el("div", {}, el("dt", {}, s.name), el("dd", {}, s.value)))));
}

/**
 * Show `product` in `container`. `actions` = {onEdit(product), onDelete(product)}.
 * Returns the heading (to move the focus to).
 */
export function renderProduct(container, product, actions) {
  const heading = el("h2", { id: "product-name", tabIndex: -1 }, product.name || "(no name)");
  const shopLink = product.url ? el("p", { className: "shop-link" }, "From ", externalLink(product.url)) : null;
  const toolbar = el(
    "div",
    { className: "toolbar" },
    el("button", { type: "button", on: { click: () => actions.onEdit(product) } }, "Edit"),
    el("button", { type: "button", className: "danger", on: { click: () => actions.onDelete(product) } }, "Delete"),
  );
  const listing = product.source && product.source.page === "listing"
    ? el("p", { className: "note" }, "This page looks like a list of products, not one product.")
    : null;
  const text = el(
    "div",
    { className: "details" },
    el("div", { className: "title-row" }, heading, sourceTag(product, "name")),
    shopLink,
    listing,
    priceBlock(product),
    ratingBlock(product),
    toolbar,
    product.description ? field(product, "Description", ["description"], el("div", { className: "description" }, paragraphs(product.description))) : null,
    (product.selling_points || []).length
      ? field(product, "Selling points", ["selling_points"], el("ul", { className: "points" }, product.selling_points.map((p) => el("li", {}, p))))
      : null,
    product.target_audience ? field(product, "Target audience", ["target_audience"], el("p", {}, product.target_audience)) : null,
    facts(product),
  );
  container.replaceChildren();
  append(container, [
    el("div", { className: "product-top" }, el("div", { className: "media-col" }, gallery(product)), text),
    variantsTable(product),
    specificationsList(product),
    el("p", { className: "meta" }, `Product id ${product.product_id} · created ${product.created_at || "–"} · updated ${product.updated_at || "–"}`),
  ]);
  container.dataset.productId = product.product_id;
  container.hidden = false;
  return heading;
}
