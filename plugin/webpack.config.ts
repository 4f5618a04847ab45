import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';

/**
 * The scaffold's config plus one copy: the scaffold copies only the root plugin's logos, and the nested
 * data source's plugin.json points at its own img/ (paths are relative to each plugin.json).
 */
const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  base.plugins = [
    ...(base.plugins ?? []),
    new CopyWebpackPlugin({ patterns: [{ from: 'datasource/img', to: 'datasource/img' }] }),
  ];
  return base;
};

export default config;
