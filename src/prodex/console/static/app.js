// The console's entry point: sign-in, account bar, create, show, edit, list and delete.

import { api, ApiError, forgetKey, onRateLimit, storedKey, storeKey } from "./api.js";
import { renderEditor } from "./product-edit.js";
import { createProductList } from "./product-list.js";
import { renderProduct } from "./product-view.js";

const $ = (id) => document.getElementById(id);

const ui = {
  status: $("status"),
  error: $("error"),
  signIn: $("sign-in"),
  signInForm: $("sign-in-form"),
  key: $("api-key"),
  workspace: $("workspace"),
  account: $("account"),
  createForm: $("create-form"),
  createButton: $("create-button"),
  url: $("product-url"),
  render: $("render"),
  product: $("product"),
};

function say(text) {
  ui.status.textContent = text;
}

/** Show a failure: the API's msg (and its code and request id, for the logs). */
function fail(error) {
  say("");
  const parts = [error instanceof ApiError ? error.message : `Unexpected error: ${error}`];
  if (error instanceof ApiError && error.code) parts.push(`code ${error.code}`);
  if (error instanceof ApiError && error.rid) parts.push(`request id ${error.rid}`);
  ui.error.textContent = parts.join(" · ");
  ui.error.hidden = false;
  if (error instanceof ApiError && error.status === 401) signOut("Your API key was not accepted; sign in again.");
}

function clearError() {
  ui.error.hidden = true;
  ui.error.textContent = "";
}

/** Run an API action with errors shown; returns its result or undefined. */
async function attempt(action) {
  clearError();
  try {
    return await action();
  } catch (error) {
    fail(error);
    return undefined;
  }
}

// --- account bar -------------------------------------------------------------------------------

onRateLimit(({ limit, remaining, reset }) => {
  const seconds = Math.max(0, Math.round(reset - Date.now() / 1000));
  $("account-rate").textContent = `${remaining} of ${limit} left this minute (resets in ${seconds} s)`;
});

async function refreshAccount() {
  const [who, quota] = await Promise.all([api.whoami(), api.quota()]);
  $("account-name").textContent = who.username || who.email || `#${who.account_id}`;
  $("account-plan").textContent = who.plan || "–";
  $("account-credits").textContent = String(quota.remaining_quota);
}

// --- products ----------------------------------------------------------------------------------

const list = createProductList(
  { list: $("product-list"), summary: $("list-summary"), search: $("search"), more: $("more") },
  { load: (page, size) => api.list(page, size), onOpen: openProduct, onDelete: deleteProduct },
);

function showProduct(product) {
  const heading = renderProduct(ui.product, product, { onEdit: editProduct, onDelete: deleteProduct });
  heading.focus();
}

async function openProduct(product) {
  const fresh = await attempt(() => api.get(product.product_id));
  if (fresh) showProduct(fresh);
}

function editProduct(product) {
  const heading = renderEditor(ui.product, product, {
    onSave: async (fields) => {
      const saved = await attempt(() => api.update(fields));
      if (saved) {
        list.upsert(saved);
        showProduct(saved);
        say("Saved.");
      }
    },
    onCancel: () => showProduct(product),
  });
  heading.focus();
}

async function deleteProduct(product) {
  if (!window.confirm(`Delete “${product.name || product.product_id}” for good?`)) return;
  const done = await attempt(() => api.remove(product.product_id));
  if (!done) return;
  list.remove(product.product_id);
  if (ui.product.dataset.productId === product.product_id) {
    ui.product.replaceChildren();
    ui.product.hidden = true;
    delete ui.product.dataset.productId;
  }
  say(`Deleted “${product.name || product.product_id}”.`);
  $("search").focus();
}

ui.createForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  ui.createButton.disabled = true;
  say("Fetching and analysing the page…");
  const product = await attempt(() => api.create(ui.url.value.trim(), ui.render.checked));
  ui.createButton.disabled = false;
  if (!product) return;
  say(`Created “${product.name || product.product_id}”.`);
  ui.url.value = "";
  list.upsert(product);
  showProduct(product);
  attempt(refreshAccount);
});

$("refresh").addEventListener("click", () => attempt(async () => {
  await list.reload();
  await refreshAccount();
  say("Refreshed.");
}));
$("more").addEventListener("click", () => attempt(() => list.more()));

// --- signing in and out ------------------------------------------------------------------------

function showSignedIn(signedIn) {
  ui.signIn.hidden = signedIn;
  ui.workspace.hidden = !signedIn;
  ui.account.hidden = !signedIn;
}

function signOut(message) {
  forgetKey();
  ui.product.replaceChildren();
  ui.product.hidden = true;
  showSignedIn(false);
  say(message || "Signed out.");
  ui.key.focus();
}

async function enter() {
  showSignedIn(true);
  await attempt(async () => {
    await refreshAccount();
    await list.reload();
  });
}

ui.signInForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const key = ui.key.value.trim();
  const who = await attempt(() => api.whoami(key));
  if (!who) return;
  storeKey(key);
  ui.key.value = "";
  say(`Signed in as ${who.username || who.email}.`);
  await enter();
  ui.url.focus();
});

$("sign-out").addEventListener("click", () => signOut());

if (storedKey()) {
  enter();
} else {
  showSignedIn(false);
}
