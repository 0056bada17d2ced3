"""``python -m ecogis``: the ``ecogis`` command."""
from ecogis.cli import main

if __name__ == "__main__":
    main(prog_name="ecogis")
