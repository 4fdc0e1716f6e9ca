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
