import { useState, type FormEvent } from 'react';
import { Alert, Button, TextField } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { useLogin } from '../api/login';

const FIELDS = ['username', 'password'] as const;

export function LoginForm() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const loginMutation = useLogin();
  const errors = useFieldErrors(FIELDS, loginMutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const valid = errors.validate({
      username: username.trim() ? undefined : 'Enter your username.',
      password: password ? undefined : 'Enter your password.',
    });
    if (valid) loginMutation.mutate({ username: username.trim(), password });
  };

  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Sign in">
      {errors.formError ? (
        <Alert tone="error" title="Sign-in failed">
          {errors.formError}
        </Alert>
      ) : null}
      <TextField
        label="Username"
        name="username"
        autoComplete="username"
        autoCapitalize="off"
        spellCheck={false}
        autoFocus
        value={username}
        onChange={(e) => {
          setUsername(e.target.value);
          errors.markEdited('username');
        }}
        error={errors.errorFor('username')}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => {
          setPassword(e.target.value);
          errors.markEdited('password');
        }}
        error={errors.errorFor('password')}
      />
      <Button type="submit" variant="primary" className="btn--block" pending={loginMutation.isPending}>
        {loginMutation.isPending ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
