/**
 * /mcp: the Model Context Protocol over Streamable HTTP, stateless (any web process answers any request). The
 * auth middleware (web/auth/auth.ts) decided who asks: a member by their token, or nobody (a cookie never
 * counts here), and refused foreign Origins. Only POST carries messages: without sessions there is no stream
 * to open (GET) or close (DELETE).
 */
import type { Hono } from 'hono';
import { handleMcpRequest, MCP_PATH } from '../mcp/server.ts';
import type { McpServices } from '../mcp/tools.ts';

export function registerMcpRoutes(app: Hono, services: McpServices): void {
  app.post(MCP_PATH, (c) => {
    const { account, token, address } = c.get('auth');
    const caller =
      token && account ? { account, scope: token.scope, address } : { account: null, scope: null, address };
    c.header('Cache-Control', 'no-store');
    return handleMcpRequest(c.req.raw, services, caller);
  });
  app.on(['GET', 'DELETE'], MCP_PATH, (c) =>
    c.json(
      {
        jsonrpc: '2.0',
        error: { code: -32000, message: 'This MCP server is stateless: POST each message.' },
        id: null,
      },
      405,
      { Allow: 'POST' },
    ),
  );
}
