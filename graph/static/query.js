// The query page of `kg serve`: no framework, no CDN; everything comes from this server.
"use strict";

const ENDPOINT = "sparql";
const ACCEPT = {
  table: "application/sparql-results+json",
  json: "application/sparql-results+json",
  xml: "application/sparql-results+xml",
  csv: "text/csv",
  tsv: "text/tab-separated-values",
  turtle: "text/turtle",
  ntriples: "application/n-triples",
  rdfxml: "application/rdf+xml",
  jsonld: "application/ld+json",
};
const $ = (id) => document.getElementById(id);
let prefixes = {};

function setStatus(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

function compact(iri) {
  let best = null;
  for (const [prefix, namespace] of Object.entries(prefixes)) {
    if (iri.startsWith(namespace) && /^[\w.-]*$/.test(iri.slice(namespace.length))) {
      if (best === null || namespace.length > best[1].length) best = [prefix, namespace];
    }
  }
  return best ? `${best[0]}:${iri.slice(best[1].length)}` : `<${iri}>`;
}

function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri") {
    const link = document.createElement("span");
    link.className = "iri";
    link.textContent = compact(term.value);
    link.title = `${term.value}\n(click: DESCRIBE)`;
    link.addEventListener("click", () => {
      $("query").value = `DESCRIBE <${term.value}>`;
      $("format").value = "turtle";
      run();
    });
    td.appendChild(link);
  } else {
    td.appendChild(document.createTextNode(term.value));
    const meta = term["xml:lang"] ? `@${term["xml:lang"]}` : "";
    if (meta) {
      const span = document.createElement("span");
      span.className = "meta";
      span.textContent = meta;
      td.appendChild(span);
    }
  }
  return td;
}

function showTable(data) {
  const results = $("results");
  if ("boolean" in data) {
    results.textContent = String(data.boolean);
    return 1;
  }
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const name of data.head.vars) {
    const th = document.createElement("th");
    th.textContent = name;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const binding of data.results.bindings) {
    const row = body.insertRow();
    for (const name of data.head.vars) row.appendChild(cell(binding[name]));
  }
  results.appendChild(table);
  return data.results.bindings.length;
}

function showText(text) {
  const pre = document.createElement("pre");
  pre.textContent = text;
  $("results").appendChild(pre);
}

async function run(event) {
  if (event) event.preventDefault();
  const format = $("format").value;
  $("results").textContent = "";
  $("run").disabled = true;
  setStatus("running …");
  const started = performance.now();
  try {
    const response = await fetch(ENDPOINT, {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", Accept: ACCEPT[format] },
      body: $("query").value,
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const text = await response.text();
    if (!response.ok) {
      setStatus(`${response.status}: ${text.trim()}`, true);
      return;
    }
    const type = response.headers.get("Content-Type") || "";
    if (format === "table" && type.startsWith("application/sparql-results+json")) {
      const rows = showTable(JSON.parse(text));
      setStatus(`${rows} row${rows === 1 ? "" : "s"} in ${seconds} s`);
    } else {
      showText(text);
      setStatus(`${type.split(";")[0]} in ${seconds} s`);
    }
  } catch (error) {
    setStatus(`cannot reach the endpoint: ${error}`, true);
  } finally {
    $("run").disabled = false;
  }
}

async function loadExamples() {
  try {
    const response = await fetch("queries", { headers: { Accept: "application/json" } });
    const data = await response.json();
    prefixes = data.prefixes;
    const select = $("examples");
    for (const query of data.queries) {
      const option = document.createElement("option");
      option.value = query.name;
      option.textContent = `${query.name} — ${query.question_en}`;
      option.dataset.text = query.text;
      option.dataset.question = `${query.question_en} / ${query.question_de}`;
      select.appendChild(option);
    }
  } catch (error) {
    setStatus(`cannot load the named questions: ${error}`, true);
  }
}

$("examples").addEventListener("change", () => {
  const option = $("examples").selectedOptions[0];
  if (!option || !option.value) return;
  $("query").value = option.dataset.text;
  $("question").textContent = option.dataset.question;
  $("format").value = "table";
});
$("form").addEventListener("submit", run);
$("query").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) run(event);
});
$("endpoint").textContent = new URL(ENDPOINT, document.baseURI).href;
loadExamples().then(() => {
  // A link like /?query=SELECT…&format=csv opens the page with that query and runs it.
  const params = new URLSearchParams(window.location.search);
  if (params.get("query")) {
    $("query").value = params.get("query");
    if (params.get("format") in ACCEPT) $("format").value = params.get("format");
    run();
  }
});
