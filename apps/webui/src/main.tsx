/**
 * The entry point: one socket to the agent that served the page (it moves to another server of the cluster if
 * that one dies), the session token kept in `sessionStorage` so that a reload stays logged in, and the app.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app';
import { AgentSocket, defaultSocketUrl, sessionTokenStore } from './lib/agent-socket';
import './styles.css';

const root = document.getElementById('root');
if (root) {
  const client = new AgentSocket({ url: defaultSocketUrl(), tokenStore: sessionTokenStore() });
  createRoot(root).render(
    <StrictMode>
      <App client={client} />
    </StrictMode>,
  );
}
