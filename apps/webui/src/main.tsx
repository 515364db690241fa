/** The entry point: one socket to the agent that served the page, and the app around it. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app';
import { AgentSocket, defaultSocketUrl } from './lib/agent-socket';
import './styles.css';

const root = document.getElementById('root');
if (root) {
  const client = new AgentSocket({ url: defaultSocketUrl() });
  createRoot(root).render(
    <StrictMode>
      <App client={client} />
    </StrictMode>,
  );
}
