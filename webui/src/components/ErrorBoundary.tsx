import { Component, type ErrorInfo, type ReactNode } from 'react';

type Props = { children: ReactNode };
type State = { error: Error | null };

/** Last line of defence against a render crash: a readable page instead of a blank one. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('Unhandled UI error', error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="fatal" role="alert">
        <h1>Something went wrong</h1>
        <p>The page hit an unexpected error. Reloading usually helps.</p>
        <button type="button" className="btn btn--primary btn--md" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}
