#!/usr/bin/env bash
# The guide's flow (automatic VM guest patching, Azure CLI section) on a throwaway store.
set -euo pipefail
export AUTOPATCH_STATE="$(mktemp -d)/state.json"
export AUTOPATCH_CONFIG_DIR="$(dirname "$AUTOPATCH_STATE")"
set -x
autopatch group create --name myResourceGroup --location eastus -o table
autopatch feature register --namespace Microsoft.Compute --name InGuestAutoPatchVMPreview -o table
autopatch tick --minutes 15 -o table
autopatch feature show --namespace Microsoft.Compute --name InGuestAutoPatchVMPreview -o table
autopatch provider register --namespace Microsoft.Compute
autopatch vm create --resource-group myResourceGroup --name myVM --image Win2019Datacenter \
    --admin-password 'Str0ng!Passw0rd' --enable-agent --enable-auto-update --patch-mode AutomaticByPlatform -o table
autopatch vm create --resource-group myResourceGroup --name myVM2 --image Win2016Datacenter \
    --admin-password 'Str0ng!Passw0rd' -o table
autopatch vm update --resource-group myResourceGroup --name myVM2 --set \
    osProfile.windowsConfiguration.enableAutomaticUpdates=true \
    osProfile.windowsConfiguration.patchSettings.patchMode=AutomaticByPlatform --query osProfile.windowsConfiguration
autopatch vm get-instance-view --resource-group myResourceGroup --name myVM --query instanceView.patchStatus
