// creatormatch pages work without JavaScript; this only adds conveniences.
// Buttons with data-confirm ask before they submit (sending e-mails, rejecting posts).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

// A "select all" box ticks every checkbox named in its data-select-all. Without JavaScript it
// could do nothing, so it stays hidden; the pages offer "all matching this filter" instead.
document.querySelectorAll("[data-select-all]").forEach((box) => {
  const name = box.dataset.selectAll;
  const targets = () =>
    Array.from(document.querySelectorAll(`input[type="checkbox"][name="${name}"]`));
  const wrapper = box.closest("[hidden]");
  if (wrapper) wrapper.hidden = false;
  const sync = () => {
    const all = targets();
    const ticked = all.filter((t) => t.checked).length;
    box.checked = all.length > 0 && ticked === all.length;
    box.indeterminate = ticked > 0 && ticked < all.length;
  };
  box.addEventListener("change", () => {
    targets().forEach((t) => {
      t.checked = box.checked;
    });
  });
  document.addEventListener("change", (event) => {
    if (event.target.name === name) sync();
  });
  sync();
});
