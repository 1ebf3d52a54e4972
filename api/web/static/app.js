// creatormatch pages work without JavaScript; this only adds conveniences.
// Buttons with data-confirm ask before they submit (sending e-mails, rejecting posts).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
