const { mat4, vec3 } = require("gl-matrix"); exports.check = () => { const m = mat4.create(); mat4.translate(m, m, [1, 2, 3]); const v = vec3.transformMat4(vec3.create(), [1, 1, 1], m); return [Array.from(v), vec3.length([3, 4, 0])]; };
exports.expected = () => ([[2,3,4],5]);
