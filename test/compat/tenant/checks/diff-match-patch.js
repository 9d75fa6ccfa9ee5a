const DMP = require("diff-match-patch");
exports.check = () => { const dmp = new DMP(); const d = dmp.diff_main("The quick brown fox", "The quick red fox!"); dmp.diff_cleanupSemantic(d); const patches = dmp.patch_make("abc def", "abc xyz def"); return [d, dmp.patch_apply(patches, "abc def")[0], dmp.patch_toText(patches)]; };
exports.expected = () => ([[[0,"The quick "],[-1,"brown"],[1,"red"],[0," fox"],[1,"!"]],"abc xyz def","@@ -1,7 +1,11 @@\n abc \n+xyz \n def\n"]);
