// Stops an npm script at once, with advice, when Node.js is older than the project needs.
// Plain JavaScript on purpose: it must run on any Node, before tsx, Astro or Vitest load.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    [
      `Council Service Alerts needs Node.js 22.12 or newer (24 recommended); this is Node ${process.version}.`,
      'Get Node 24 without root, for one command:',
      "  npx -y -p node@24 -c 'npm install && npm start'",
      'or keep it: npm install --prefix ~/.local/node-24 node@24 && export PATH="$HOME/.local/node-24/node_modules/.bin:$PATH"',
      '(or use a version manager such as nvm or fnm: `nvm install` reads .nvmrc).',
    ].join('\n'),
  );
  process.exit(1);
}
