const { Matrix, inverse, solve } = require("ml-matrix"); exports.check = () => { const A = new Matrix([[2, 1], [1, 3]]); return [inverse(A).to2DArray(), A.mmul(A).to2DArray(), solve(A, Matrix.columnVector([3, 5])).to1DArray(), A.transpose().trace()]; };
exports.expected = () => ([[[0.6,-0.2],[-0.2,0.4]],[[5,5],[5,10]],[0.8,1.4],5]);
