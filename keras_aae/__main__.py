"""`python -m keras_aae` runs the `keras-aae` command line."""

import sys

from keras_aae.cli import main

sys.exit(main())
