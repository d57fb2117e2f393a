/** Peak resident set size of this process in bytes (`maxRSS` is in KB on Linux and macOS). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024
}
