import sys

from afstand.cli import main

sys.exit(main())
