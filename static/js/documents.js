/* The merchant's document inputs: a file over the size the server keeps is refused before the form is sent
   (the server refuses it too, but only after the whole upload, and the rest of the form is lost with it). */
(function () {
  "use strict";
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    input.addEventListener("change", function () {
      var tooBig = Array.prototype.some.call(input.files, function (file) { return file.size > limit; });
      input.setCustomValidity(tooBig ? input.getAttribute("data-too-large") : "");
      if (tooBig) input.reportValidity();
    });
  });
})();
