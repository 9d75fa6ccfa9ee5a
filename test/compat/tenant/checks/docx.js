const { Document, Packer, Paragraph, TextRun } = require("docx"); exports.check = async () => { const doc = new Document({ sections: [{ children: [new Paragraph({ children: [new TextRun({ text: "Hello", bold: true })] })] }] }); const buf = await Packer.toBuffer(doc); return [buf.slice(0, 2).toString(), buf.length > 1000]; };
exports.expected = () => (["PK",true]);
