// Building DOM nodes. Text is always set with textContent / text nodes: shop text is never parsed as HTML.

/**
 * Create an element: el("p", {className: "x"}, "text", child, ...).
 * Props are assigned as properties (className, type, value...), except "attrs" (setAttribute, for
 * aria-* and data-*) and "on" ({click: handler}). Strings become text nodes.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "attrs") {
      for (const [name, attr] of Object.entries(value)) {
        if (attr !== undefined && attr !== null) node.setAttribute(name, String(attr));
      }
    } else if (key === "on") {
      for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    } else {
      node[key] = value;
    }
  }
  append(node, children);
  return node;
}

/** Append children (nodes, strings as text, arrays flattened; null/false skipped). */
export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Remove every child of a node. */
export function clear(node) {
  node.replaceChildren();
  return node;
}

/** The URL when it is an absolute http(s) URL, else null (never javascript:, data: ...). */
export function safeUrl(value) {
  if (typeof value !== "string" || value === "") return null;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** A link that opens a shop page in a new tab without telling it where it came from. */
export function externalLink(url, text) {
  const href = safeUrl(url);
  if (!href) return document.createTextNode(text || url || "");
  return el("a", { href, target: "_blank", rel: "noopener noreferrer" }, text || href);
}

let uniqueCounter = 0;
/** A unique id for label/control pairs. */
export function uniqueId(prefix) {
  uniqueCounter += 1;
  return `${prefix}-${uniqueCounter}`;
}
