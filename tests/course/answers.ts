// What a learner types for a lab, shared by the class test and the classroom benchmark (both
// drive a real sandbox's shell with it).

/** Appends a liveness probe on `port` to lab 1's starter file and applies it (what the lesson asks for); `then` runs after the apply. */
export function fixLab1(port: number, then = ''): string[] {
  return [
    'cd ~/labs/01-liveness',
    "cat >> liveness-test.yaml <<'EOF'",
    '    livenessProbe:',
    '      httpGet:',
    '        path: /healthz',
    `        port: ${port}`,
    '        httpHeaders:',
    '        - name: Custom-Header',
    '          value: Awesome',
    '      initialDelaySeconds: 3',
    '      periodSeconds: 3',
    'EOF',
    `kubectl create namespace liveness && kubectl apply -f liveness-test.yaml${then ? ` && ${then}` : ''}`,
  ];
}
