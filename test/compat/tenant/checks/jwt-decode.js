const { jwtDecode } = require("jwt-decode"); exports.check = () => jwtDecode("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4IiwibmFtZSI6IsOpIn0.sig");
exports.expected = () => ({"sub":"x","name":"é"});
