import sys

from conceptcloud.cli import main

sys.exit(main())
