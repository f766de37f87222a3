// Runs web/static/jobs.js against a stub page: one progress block, one polled answer.
const fs = require("fs"), vm = require("vm");
const [script, phases, answer] = process.argv.slice(2);
const fields = {message: {textContent: ""}, percent: {textContent: ""}};
const bar = {value: 0};
const attrs = {"data-job-url": "/api/v1/jobs/x", "data-state": "running", "data-phases": phases};
const block = {
  getAttribute: (k) => (k in attrs ? attrs[k] : null),
  setAttribute: (k, v) => { attrs[k] = v; },
  querySelector: (sel) => sel === "progress" ? bar : fields[sel.match(/data-field=(\w+)/)[1]],
};
let ready = null; const timers = [];
const sandbox = {
  document: {addEventListener: (e, f) => { ready = f; }, getElementById: () => block},
  window: {setTimeout: (f) => timers.push(f), location: {reload: () => {}}},
  fetch: () => Promise.resolve({status: 200, json: () => Promise.resolve(JSON.parse(answer))}),
  JSON, Math, Object,
};
vm.runInNewContext(fs.readFileSync(script, "utf8"), sandbox);
ready();
timers.shift()();  // the first poll
setTimeout(() => console.log(JSON.stringify({message: fields.message.textContent,
                                              percent: fields.percent.textContent})), 50);
