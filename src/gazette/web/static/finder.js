// Copy buttons for the finder's share links; without JS the links stay in read-only inputs.
document.querySelectorAll(".finder-copy-btn").forEach(function (btn) {
  btn.hidden = false;
  btn.addEventListener("click", function () {
    var input = document.getElementById(btn.getAttribute("data-copy"));
    input.select();
    var done = function () { btn.textContent = "已复制 Copied"; };
    if (navigator.clipboard) { navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); }); }
    else { document.execCommand("copy"); done(); }
  });
});

// Print: open every explanation first, so the paper copy holds the answers and the reasons.
document.querySelectorAll(".finder-print-btn").forEach(function (btn) {
  btn.hidden = false;
  btn.addEventListener("click", function () { window.print(); });
});
window.addEventListener("beforeprint", function () {
  document.querySelectorAll(".finder details").forEach(function (d) {
    if (!d.open) { d.setAttribute("data-opened-for-print", ""); d.open = true; }
  });
});
window.addEventListener("afterprint", function () {
  document.querySelectorAll(".finder details[data-opened-for-print]").forEach(function (d) {
    d.open = false; d.removeAttribute("data-opened-for-print");
  });
});
