import sys

from perfdash.cli import main

sys.exit(main())
