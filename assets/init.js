// Progressive enhancement only: every page works without JavaScript.
import { initAll } from "./govuk-frontend.min.js";

initAll();

// Phones: a table is read row by row, each cell under its column's name (the style sheet hides the header row
// and stacks the cells below the tablet width). Without JavaScript such a table scrolls sideways instead.
for (const table of document.querySelectorAll("table.govuk-table")) {
  const names = [...table.querySelectorAll("thead th")].map((header) => header.textContent.trim());
  if (names.length < 2) continue;
  table.classList.add("portal-table--stacks");
  for (const row of table.querySelectorAll("tbody tr, tfoot tr")) {
    let column = 0;
    for (const cell of row.children) {
      if (names[column]) cell.dataset.label = names[column];
      column += cell.colSpan || 1;
    }
  }
}

// The timeout warning (templates/layout.html): five minutes before the login session ends, say so once.
const timeout = document.querySelector("dialog.portal-timeout");
if (timeout && typeof timeout.showModal === "function") {
  const warnAt = Date.parse(timeout.dataset.sessionEndsAt) - Number(timeout.dataset.warnSeconds) * 1000;
  setTimeout(() => timeout.showModal(), Math.max(0, warnAt - Date.now()));
  timeout.querySelector("[data-timeout-close]").addEventListener("click", () => timeout.close());
}

// "Alles selecteren" (finance's lists): a link that reloads the page with every row ticked; with JavaScript it
// ticks the boxes of its own form at once, keeping what was typed.
for (const link of document.querySelectorAll("a[data-select-all]")) {
  const form = link.closest("form");
  if (!form) continue;
  link.addEventListener("click", (event) => {
    event.preventDefault();
    for (const box of form.querySelectorAll('input[type="checkbox"]')) box.checked = true;
  });
}
