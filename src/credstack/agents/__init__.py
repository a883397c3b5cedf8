"""credstack for AI agents: an MCP server (Model Context Protocol) over the JSON API's keys and rules."""
