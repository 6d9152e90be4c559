/**
 * The MCP server of an instance, for one caller: the tools they may call (tools.ts), over any transport. Made per
 * connection (stdio) or per request (stateless Streamable HTTP): cheap, since the tools only close over the
 * process's services.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { registerTools, type McpCaller, type McpServices } from './tools.ts';
import { readInstanceIdentity } from '../instance/identity.ts';

/** The protocol version of the tool set (not the software's). */
const SERVER_VERSION = '1';
/** Where the web server answers MCP over Streamable HTTP. */
export const MCP_PATH = '/mcp';
const INSTRUCTIONS =
  'a Daily Papers site: research papers the community submits and upvotes. Search with search_papers, open one with get_paper or read_paper, browse with daily_papers and trending.';

/** The server, named as the instance's administrators named it (instance/identity.ts). */
export async function createMcpServer(services: McpServices, caller: McpCaller): Promise<McpServer> {
  const site = await readInstanceIdentity(services.store);
  const server = new McpServer(
    { name: site.name, version: SERVER_VERSION },
    { instructions: `${site.name} is ${INSTRUCTIONS} ${site.description}` },
  );
  registerTools(server, services, caller);
  return server;
}

/**
 * Answers one Streamable HTTP request statelessly: no session, so any web process answers any request. A
 * server and transport live for the request and are closed when the answer is complete.
 */
export async function handleMcpRequest(request: Request, services: McpServices, caller: McpCaller): Promise<Response> {
  const server = await createMcpServer(services, caller);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    await server.close();
  }
}
