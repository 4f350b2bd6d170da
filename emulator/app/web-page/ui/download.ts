/** Saving bytes the session made (the pcap) as a file: a Blob, an object URL and a temporary link. */

export function downloadBytes(bytes: Uint8Array, fileName: string, type = 'application/vnd.tcpdump.pcap'): void {
  const blob = new Blob([new Uint8Array(bytes)], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // wall clock: the browser has started the download once click() returns; release the URL a little later (a UI
  // timer outside the simulated world).
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
