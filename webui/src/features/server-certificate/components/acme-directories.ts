/** The directories offered by name; any other https URL is a private CA's. */
export const LETS_ENCRYPT = 'https://acme-v02.api.letsencrypt.org/directory';
export const LETS_ENCRYPT_STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory';

export type DirectoryChoice = 'production' | 'staging' | 'custom';

export const DIRECTORY_CHOICES: readonly { value: DirectoryChoice; label: string }[] = [
  { value: 'production', label: "Let's Encrypt" },
  { value: 'staging', label: "Let's Encrypt staging (for trials: browsers do not trust it)" },
  { value: 'custom', label: 'Another ACME directory (a private CA)' },
];

export function choiceOf(url: string): DirectoryChoice {
  if (url === LETS_ENCRYPT) return 'production';
  return url === LETS_ENCRYPT_STAGING ? 'staging' : 'custom';
}

export function urlOf(choice: DirectoryChoice, custom: string): string {
  if (choice === 'production') return LETS_ENCRYPT;
  return choice === 'staging' ? LETS_ENCRYPT_STAGING : custom.trim();
}

// The shape the API's document states (gateway/models/certificate_settings.py): https, a host
// name, an optional port, a path of printable ASCII. The gateway checks it again.
const DIRECTORY_URL =
  /^https:\/\/[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::[0-9]{1,5})?(?:\/[!-~]*)?$/;

export function directoryUrlError(url: string): string | undefined {
  if (!url) return 'Enter the directory URL of the ACME server.';
  if (!url.toLowerCase().startsWith('https://'))
    return 'Enter an https:// URL: ACME directories use https only.';
  if (url.length > 512 || !DIRECTORY_URL.test(url)) {
    return 'Enter a URL such as https://acme.example.net/directory, with no spaces or user name.';
  }
  return undefined;
}
