"""How account owners sign in to OpenSSH: sshd's configuration for them and their keys."""
