-- :checkhealth nudge
local M = {}

function M.check()
  local health = vim.health
  health.start("nudge")
  local config = require("nudge").config
  if not config then
    health.warn("require('nudge').setup() has not been called")
  end
  local cmd = (config and config.cmd) or { "nudge", "lsp" }
  local binary = cmd[1]
  if vim.fn.executable(binary) ~= 1 then
    health.error(binary .. " not found", { "cargo install --path server  (from the Nudge repository)" })
    return
  end
  local version = vim.fn.system({ binary, "--version" })
  if vim.v.shell_error ~= 0 then
    health.error(binary .. " --version failed: " .. version)
    return
  end
  health.ok("found " .. vim.fn.exepath(binary) .. " (" .. vim.trim(version) .. ")")
  if vim.lsp.config and vim.lsp.enable then
    health.ok("Neovim " .. tostring(vim.version()) .. ": using vim.lsp.config and vim.lsp.enable")
  else
    health.ok("Neovim " .. tostring(vim.version()) .. ": using vim.lsp.start")
  end
end

return M
