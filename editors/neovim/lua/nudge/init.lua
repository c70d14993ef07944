-- Nudge for Neovim: registers the `nudge lsp` language server.
--
--   require("nudge").setup({
--     cmd = { "nudge", "lsp" },             -- or an absolute path
--     settings = { severity = { ["signup-flow"] = "info" }, debounceMs = 200 },
--   })
--
-- Neovim 0.11+ uses vim.lsp.config/vim.lsp.enable; 0.10 uses vim.lsp.start
-- from a FileType autocommand.
local M = {}

M.filetypes = {
  "javascript", "javascriptreact", "typescript", "typescriptreact",
  "sql", "svelte", "vue", "astro", "dotenv",
}

M.root_markers = { ".nudge.toml", "package.json", "supabase", ".git" }

local defaults = {
  cmd = { "nudge", "lsp" },
  filetypes = M.filetypes,
  root_markers = M.root_markers,
  settings = {},
}

-- `.env`, `.env.local`, `.env.production`, ...: their own filetype, so the
-- server attaches to them without taking over every shell script.
local function add_env_filetype()
  vim.filetype.add({
    filename = { [".env"] = "dotenv" },
    pattern = { ["%.env%.[%w_.-]+"] = "dotenv", [".*/%.env%.[%w_.-]+"] = "dotenv" },
  })
end

local function root_dir(bufnr, markers)
  local path = vim.api.nvim_buf_get_name(bufnr)
  if vim.fs.root then
    return vim.fs.root(bufnr, markers) or vim.fs.dirname(path)
  end
  local found = vim.fs.find(markers, { upward = true, path = vim.fs.dirname(path) })[1]
  return found and vim.fs.dirname(found) or vim.fs.dirname(path)
end

-- Runs one of the server's report commands and shows its Markdown in a
-- scratch split.
local function show_report(command)
  local client = vim.lsp.get_clients({ name = "nudge" })[1]
  if not client then
    vim.notify("Nudge is not running in this buffer", vim.log.levels.WARN)
    return
  end
  local params = { command = command, arguments = { { open = false } } }
  local function handler(err, result)
    if err or not result then
      vim.notify("Nudge: " .. (err and err.message or "no report"), vim.log.levels.ERROR)
      return
    end
    vim.cmd("new")
    local buf = vim.api.nvim_get_current_buf()
    vim.bo[buf].buftype = "nofile"
    vim.bo[buf].filetype = "markdown"
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(result.markdown or "", "\n"))
  end
  -- 0.11 has the method form; 0.10 only the function field.
  if vim.fn.has("nvim-0.11") == 1 then
    client:request("workspace/executeCommand", params, handler)
  else
    client.request("workspace/executeCommand", params, handler)
  end
end

local function add_commands()
  vim.api.nvim_create_user_command("NudgeCheck", function()
    show_report("nudge.securityCheck")
  end, { desc = "Nudge: run a quick security check" })
  -- Only ever when asked: it replays the migrations in a throwaway PostgreSQL.
  vim.api.nvim_create_user_command("NudgeProve", function()
    show_report("nudge.prove")
  end, { desc = "Nudge: try the unhappy paths for real" })
end

--- Registers and enables the server. Safe to call more than once.
function M.setup(opts)
  local config = vim.tbl_deep_extend("force", defaults, opts or {})
  M.config = config
  add_env_filetype()
  add_commands()
  local settings = config.settings or {}
  local server = {
    cmd = config.cmd,
    filetypes = config.filetypes,
    root_markers = config.root_markers,
    init_options = settings,
    settings = { nudge = settings },
  }
  -- `use_lsp_start` picks the 0.10 path on newer Neovim too (tests use it).
  if vim.lsp.config and vim.lsp.enable and not config.use_lsp_start then
    vim.lsp.config("nudge", server)
    vim.lsp.enable("nudge")
    return
  end
  local group = vim.api.nvim_create_augroup("nudge_lsp", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = config.filetypes,
    callback = function(args)
      vim.lsp.start({
        name = "nudge",
        cmd = config.cmd,
        root_dir = root_dir(args.buf, config.root_markers),
        init_options = settings,
        settings = { nudge = settings },
      }, { bufnr = args.buf })
    end,
  })
end

return M
