// A "Print" button on reader pages: shown only when scripts run (the browser's own print works anyway).
document.querySelectorAll(".print-page").forEach(function (btn) {
  btn.hidden = false;
  btn.addEventListener("click", function () { window.print(); });
});
