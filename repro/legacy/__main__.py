import sys

from repro.legacy.cli import main

sys.exit(main())
