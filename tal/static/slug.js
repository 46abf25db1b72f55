// Proposes the slug of a new experiment from its title, as it is typed, until the
// agent edits the slug. Without JavaScript, the server proposes the same slug.
(function () {
  var title = document.getElementById("f-title"), slug = document.getElementById("f-slug");
  if (!title || !slug) return;
  var touched = slug.value !== "";
  slug.addEventListener("input", function () { touched = slug.value !== ""; });
  title.addEventListener("input", function () {
    if (touched) return;
    var words = title.value.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().match(/[a-z0-9]+/g) || [];
    var out = "";
    for (var i = 0; i < words.length; i++) {
      if (out.length + words[i].length + 1 > 60) break;
      out = out ? out + "-" + words[i] : words[i];
    }
    slug.value = out;
  });
})();
