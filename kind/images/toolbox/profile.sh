# /etc/profile.d/labs.sh in the classroom sandbox (src/environments/classroom/): the learner's
# kubeconfig is ~/.kube/config (only theirs); `labs` talks to the class server ($LABS_SERVER,
# token in $LABS_TOKEN_FILE) once the platform has put a credential there.
export KUBECONFIG="${KUBECONFIG:-$HOME/.kube/config}"
export EDITOR="${EDITOR:-nano}"
if [ -n "${BASH_VERSION:-}" ] && [ -n "${PS1:-}" ]; then
  alias k=kubectl
  if ! declare -F __start_kubectl >/dev/null && [ -r /usr/share/bash-completion/completions/kubectl ]; then
    . /usr/share/bash-completion/completions/kubectl
  fi
  declare -F __start_kubectl >/dev/null && complete -o default -F __start_kubectl k
fi
# Shell integration (like VS Code's OSC 633;E): after each command, the command line goes to the
# class server as a private OSC, `ESC ] 6973;labs-command;<base64> BEL`, which the server's
# terminal strips from the output (src/terminal/shell-marks.ts): a command in a lab's namespace
# marks that lab started on the instructor's dashboard. Inside tmux it is wrapped for passthrough
# (tmux.conf: allow-passthrough). base64 keeps escapes and BELs of the line out of the sequence;
# the line is cut at 1,500 bytes (the server drops marks over 2 KiB). `\#` (bash's command
# number) tells a new command from an empty Enter, also when history drops a duplicate.
if [ -n "${BASH_VERSION:-}" ] && [ -n "${PS1:-}" ] && [ -z "${__labs_command_number+set}" ]; then
  __labs_command_number=
  __labs_mark_command() {
    local status=$? number='\#' entry payload
    number=${number@P}
    if [ -n "$__labs_command_number" ] && [ "$number" != "$__labs_command_number" ]; then
      # "  42  kubectl …" or "  42* kubectl …" (edited); fc -l would skip the entry as its own.
      entry=$(HISTTIMEFORMAT= builtin history 1)
      entry=${entry#"${entry%%[![:space:]]*}"}
      entry=${entry#"${entry%%[!0-9]*}"}
      entry=${entry#\*}
      entry=${entry#"${entry%%[![:space:]]*}"}
      payload=$(printf %s "$entry" | head -c 1500 | base64 -w 0)
      if [ -n "$payload" ]; then
        if [ -n "${TMUX:-}" ]; then printf '\033Ptmux;\033\033]6973;labs-command;%s\007\033\\' "$payload"
        else printf '\033]6973;labs-command;%s\007' "$payload"; fi
      fi
    fi
    __labs_command_number=$number
    return $status
  }
  PROMPT_COMMAND="__labs_mark_command${PROMPT_COMMAND:+; $PROMPT_COMMAND}"
fi
