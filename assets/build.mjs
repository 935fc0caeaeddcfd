// Builds the front-end assets into portal/static: the Sass stylesheet and GOV.UK Frontend's script.
import { mkdirSync, copyFileSync, writeFileSync } from "node:fs";
import * as sass from "sass";

const out = "portal/static";
mkdirSync(`${out}/css`, { recursive: true });
mkdirSync(`${out}/js`, { recursive: true });
mkdirSync(`${out}/images`, { recursive: true });

const result = sass.compile("assets/scss/portal.scss", {
  loadPaths: ["node_modules"],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(`${out}/css/portal.css`, result.css);
copyFileSync("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", `${out}/js/govuk-frontend.min.js`);
copyFileSync("assets/images/favicon.svg", `${out}/images/favicon.svg`);
copyFileSync("assets/init.js", `${out}/js/init.js`);
console.log(`built ${out}/css/portal.css (${result.css.length} bytes)`);
