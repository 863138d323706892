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
