/* Document page: when the cited passage or article is longer than the screen, bring the quoted sentence into view.
 * The passage's heading path is sticky (site.css), so it stays visible above the sentence. */
window.addEventListener("load", function () {
  "use strict";
  var mark = document.querySelector(".passage:target mark.quoted, .article:target mark.quoted");
  if (!mark) return;
  var box = mark.getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) mark.scrollIntoView({ block: "center" });
});
