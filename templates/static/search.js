// Full-text search over Pagefind's static index (/pagefind/), loaded only on this page.
// Without JavaScript the page still lists topics, regions and archives to browse.
const form = document.getElementById("search_form");
const input = document.getElementById("search_q");
const status = document.getElementById("search_status");
const list = document.getElementById("search_results");
const MAX_RESULTS = 20;
let pagefind = null;
let latest = 0;

function say(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
}

function resultItem(data) {
  const item = document.createElement("li");
  const meta = document.createElement("p");
  meta.className = "meta";
  if (data.meta.kind) {
    const kind = document.createElement("span");
    kind.className = "category";
    kind.textContent = data.meta.kind;
    meta.append(kind);
  }
  if (data.meta.date) meta.append(data.meta.date);
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  heading.append(link);
  const excerpt = document.createElement("p");
  // Pagefind's excerpt is escaped page text with <mark> around the words found.
  excerpt.innerHTML = data.excerpt;
  item.append(meta, heading, excerpt);
  return item;
}

// The index is beside static/, where this script is: at the host's root or in the site's
// folder (base_url https://verein.example/portal/), whose path every result's address needs.
async function load() {
  const base = new URL("..", import.meta.url).pathname;
  const found = await import(`${base}pagefind/pagefind.js`);
  await found.options({ excerptLength: 26, baseUrl: base });
  return found;
}

async function run(query) {
  const ticket = ++latest;
  list.replaceChildren();
  list.hidden = true;
  if (!query) {
    status.textContent = "";
    return;
  }
  status.textContent = form.dataset.loading;
  try {
    pagefind ??= await load();
    const search = await pagefind.search(query);
    const found = await Promise.all(search.results.slice(0, MAX_RESULTS).map((r) => r.data()));
    if (ticket !== latest) return;
    const count = search.results.length;
    const template = count === 0 ? form.dataset.none : count === 1 ? form.dataset.foundOne : form.dataset.found;
    status.textContent = say(template, { count, query });
    list.replaceChildren(...found.map(resultItem));
    list.hidden = count === 0;
  } catch (error) {
    status.textContent = form.dataset.error;
    throw error;
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const query = input.value.trim();
  const address = query ? `?q=${encodeURIComponent(query)}` : window.location.pathname;
  window.history.replaceState(null, "", address);
  run(query);
});

const initial = new URLSearchParams(window.location.search).get("q");
if (initial) {
  input.value = initial;
  run(initial.trim());
}
