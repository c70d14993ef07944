-- Headless Neovim end-to-end test of editors/neovim with the real `nudge lsp`.
-- Env: NUDGE_PLUGIN (editors/neovim), NUDGE_BIN, WORKSPACE (a copy of the demo app).
-- Writes one JSON object with what Neovim saw to stdout; tests/editors/nvim.sh asserts it.
local env = vim.env
local timeout = 30000
local result = { nvim = tostring(vim.version()) }

local function finish()
  io.stdout:write(vim.json.encode(result) .. "\n")
  io.stdout:flush()
  vim.cmd("qall!")
end

local ok, err = pcall(function()
  vim.opt.rtp:append(env.NUDGE_PLUGIN)
  vim.cmd("filetype on")
  result.api = env.NUDGE_LSP_START == "1" and "vim.lsp.start" or "vim.lsp.enable"
  require("nudge").setup({
    cmd = { env.NUDGE_BIN, "lsp" },
    settings = { debounceMs = 0 },
    use_lsp_start = env.NUDGE_LSP_START == "1",
  })

  local function open(rel)
    vim.cmd("edit " .. vim.fn.fnameescape(env.WORKSPACE .. "/" .. rel))
    local buf = vim.api.nvim_get_current_buf()
    local attached = vim.wait(timeout, function()
      return #vim.lsp.get_clients({ bufnr = buf, name = "nudge" }) > 0
    end, 20)
    local got = vim.wait(timeout, function()
      return #vim.diagnostic.get(buf) > 0
    end, 20)
    return buf, attached and got
  end

  -- 1. A migration: nudges, hover, code actions, applying the quick fix.
  local buf, seen = open("supabase/migrations/20240501120000_init.sql")
  result.filetype_sql = vim.bo[buf].filetype
  result.sql_attached = seen
  result.sql_diagnostics = {}
  local target
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(result.sql_diagnostics, { code = d.code, source = d.source, lnum = d.lnum, col = d.col, message = d.message })
    if d.code == "table-without-rls" then target = d end
  end
  if target then
    local client = vim.lsp.get_clients({ bufnr = buf, name = "nudge" })[1]
    local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = target.lnum, character = target.col } }
    local hover = client:request_sync("textDocument/hover", params, timeout, buf)
    result.hover = hover and hover.result and hover.result.contents and hover.result.contents.value
    local lsp_diag = target.user_data and target.user_data.lsp
    local actions = client:request_sync("textDocument/codeAction", {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      range = lsp_diag.range,
      context = { diagnostics = { lsp_diag } },
    }, timeout, buf)
    result.code_actions = {}
    local fix
    for _, action in ipairs((actions and actions.result) or {}) do
      table.insert(result.code_actions, action.title)
      if action.isPreferred and action.edit then fix = action end
    end
    if fix then
      vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)
      local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
      result.applied = vim.tbl_filter(function(l) return l:find("enable row level security", 1, true) end, lines)
      -- The server re-analyses the edited buffer: the nudge goes away.
      result.cleared = vim.wait(timeout, function()
        for _, d in ipairs(vim.diagnostic.get(buf)) do
          if d.code == "table-without-rls" then return false end
        end
        return true
      end, 20)
    end
  end

  -- 2. An env file: the dotenv filetype attaches too.
  local env_buf, env_seen = open(".env.local")
  result.filetype_env = vim.bo[env_buf].filetype
  result.env_codes = {}
  if env_seen then
    for _, d in ipairs(vim.diagnostic.get(env_buf)) do table.insert(result.env_codes, d.code) end
  end

  -- 3. :checkhealth nudge
  vim.cmd("checkhealth nudge")
  result.health = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
end)
if not ok then result.error = tostring(err) end
finish()
