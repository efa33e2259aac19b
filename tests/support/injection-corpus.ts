// Repository URLs and branch names that try to make git (or a shell, were one involved) do something else:
// refused by the API when a service is saved, and again by the agent before git runs.
export const BAD_URLS = [
  "--upload-pack=touch /tmp/pwned",
  "-oProxyCommand=touch /tmp/pwned",
  "ext::sh -c touch% /tmp/pwned",
  "fd::17",
  "https://example.test/$(touch /tmp/pwned)",
  "https://example.test/`touch /tmp/pwned`",
  "https://example.test/repo.git\ntouch /tmp/pwned",
  "https://example.test/a/../../etc",
  "ssh://-oProxyCommand=touch/repo",
];

export const BAD_REFS = ["-b", "--upload-pack=touch", "main..evil", "../main", "main\nrm -rf /", "$(id)", "`id`", "main;id", "refs/heads/../x"];
