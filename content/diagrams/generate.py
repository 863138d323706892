# Writes every course diagram, in English (name.svg) and Korean (name.ko.svg), to public/diagrams/.
# The SVGs are committed; edit the scripts here and run: python3 content/diagrams/generate.py
# Style: transparent background, text only on filled shapes, mid-grey lines, so the diagrams read
# on the light and the dark theme alike.
import pathlib, subprocess, sys
here = pathlib.Path(__file__).resolve().parent
out = here.parent.parent / 'public' / 'diagrams'
out.mkdir(parents=True, exist_ok=True)
for script in ['pod_phases.py', 'probe_timelines.py', 'layering_and_gitops.py', 'argocd_architecture.py']:
    subprocess.run([sys.executable, str(here / script), str(out)], check=True)
print(f'diagrams written to {out}')
