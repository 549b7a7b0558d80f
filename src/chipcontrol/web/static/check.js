// The check form's party and owner rows: add a row from its <template>, remove a row (the last one is emptied
// instead, so the form keeps one). No build step; the form works without this script (one row of each).
(function () {
  function rows(kind) { return document.querySelector('tbody[data-rows="' + kind + '"]'); }
  document.addEventListener("click", function (ev) {
    var add = ev.target.closest("button.add-row");
    if (add) {
      var kind = add.getAttribute("data-add");
      var tpl = document.getElementById(kind + "-row-template");
      var body = rows(kind);
      if (tpl && body) {
        body.appendChild(tpl.content.cloneNode(true));
        var inputs = body.querySelectorAll("input");
        if (inputs.length) { inputs[inputs.length - (kind === "party" ? 3 : 2)].focus(); }
      }
      return;
    }
    var remove = ev.target.closest("button.remove-row");
    if (remove) {
      var row = remove.closest("tr");
      var tbody = row && row.parentNode;
      if (tbody && tbody.querySelectorAll("tr").length > 1) { row.remove(); }
      else if (row) { row.querySelectorAll("input").forEach(function (i) { i.value = ""; }); }
    }
  });
})();
