export * from './document-kind';
export * from './document.repository';
export * from './document-pdf.service';
export * from './document-stage';
