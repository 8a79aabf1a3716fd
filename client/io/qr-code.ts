/** A QR code of a link as an SVG data URL for an <img>. The encoder is loaded on first use: only "Add a device" draws one. */
export async function qrCodeImage(text: string): Promise<string> {
  const { toString } = await import('qrcode');
  // Dark on light whatever the page's colours: scanners expect it; the margin is the quiet zone they need.
  const svg = await toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#000000', light: '#ffffff' } });
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
