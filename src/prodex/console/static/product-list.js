// The account's products: loaded page by page, filtered in the browser.

import { el } from "./dom.js";

const PAGE_SIZE = 100;

function matches(product, words) {
  const haystack = [product.name, product.brand, product.url, product.product_id, product.google_category, product.sku]
    .filter(Boolean)
    .join(" ")
    .toLowerCase();
  return words.every((word) => haystack.includes(word));
}

/**
 * The list widget. `elements` = {list, summary, search, more}; `actions` = {load(page, size),
 * onOpen(product), onDelete(product)}.
 */
export function createProductList(elements, actions) {
  let products = [];
  let total = 0;
  let page = 0;

  function draw() {
    const words = elements.search.value.toLowerCase().split(/\s+/).filter(Boolean);
    const shown = words.length ? products.filter((p) => matches(p, words)) : products;
    elements.list.replaceChildren(
      ...shown.map((product) =>
        el(
          "li",
          { className: "item" },
          el(
            "button",
            { type: "button", className: "link", on: { click: () => actions.onOpen(product) } },
            product.name || "(no name)",
          ),
          el("span", { className: "item-meta" }, [product.brand, product.url || "entered by hand"].filter(Boolean).join(" · ")),
          el(
            "button",
            {
              type: "button",
              className: "danger small",
              attrs: { "aria-label": `Delete ${product.name || product.product_id}` },
              on: { click: () => actions.onDelete(product) },
            },
            "Delete",
          ),
        ),
      ),
    );
    const filtered = words.length ? `, ${shown.length} match` : "";
    elements.summary.textContent = total ? `${products.length} of ${total} products loaded${filtered}.` : "No products yet.";
    elements.more.hidden = products.length >= total;
  }

  async function loadPage(next) {
    const data = await actions.load(next, PAGE_SIZE);
    products = next === 1 ? data.products : products.concat(data.products);
    total = data.total;
    page = next;
    draw();
  }

  elements.search.addEventListener("input", draw);

  return {
    reload: () => loadPage(1),
    more: () => loadPage(page + 1),
    /** Put a created or saved product first (or in its place) without reloading. */
    upsert(product) {
      const index = products.findIndex((p) => p.product_id === product.product_id);
      if (index >= 0) products[index] = product;
      else {
        products.unshift(product);
        total += 1;
      }
      draw();
    },
    remove(productId) {
      const before = products.length;
      products = products.filter((p) => p.product_id !== productId);
      total -= before - products.length;
      draw();
    },
  };
}
