import { PDFDocument, StandardFonts, rgb } from "pdf-lib";
export async function check() { const doc = await PDFDocument.create(); const font = await doc.embedFont(StandardFonts.Helvetica); const page = doc.addPage([300, 200]); page.drawText("Invoice #42", { x: 20, y: 150, size: 18, font, color: rgb(0, 0, 0.5) });
  doc.setTitle("t"); const bytes = await doc.save(); const back = await PDFDocument.load(bytes); return [back.getPageCount(), back.getTitle(), new TextDecoder().decode(bytes.slice(0, 5))]; }
export const expected = () => ([1,"t","%PDF-"]);
